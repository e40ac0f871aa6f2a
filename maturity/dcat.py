"""The DCAT-AP-SE catalogue of the open data (issue 15, docs/open-data.md): one dcat:Catalog with one
dcat:Dataset, a dcat:Distribution per download format and one for the API, and the API as a
dcat:DataService, as RDF/XML for dataportal.se to harvest. Every address is absolute, from
``DJANGO_SITE_URL``; publisher and contact from the ``DIMIOS_OPEN_DATA_*`` settings.

The titles and descriptions are given in Swedish and English whatever the page's language: a catalogue
carries both, tagged with their language."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from . import open_data

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
EU = "http://publications.europa.eu/resource/authority/"
THEME_GOVERNMENT = URIRef(EU + "data-theme/GOVE")
# Two measurement periods a year (VT and HT).
FREQUENCY = URIRef(EU + "frequency/ANNUAL_2")
LANGUAGES = [URIRef(EU + "language/SWE"), URIRef(EU + "language/ENG")]
SWEDEN = URIRef(EU + "country/SWE")
IANA = "http://www.iana.org/assignments/media-types/"
FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX"}
RDF_CONTENT_TYPE = "application/rdf+xml"

TITLE = {
    "sv": "Digital mognad i offentlig sektor (DiMiOS)",
    "en": "Digital maturity in the public sector (DiMiOS)",
}
CATALOGUE_TITLE = {"sv": "DiMiOS öppna data", "en": "DiMiOS open data"}
DESCRIPTION = {
    "sv": (
        "Organisationsövergripande resultat av mätningar av digital mognad (DiMiOS) i kommuner, regioner "
        "och myndigheter som delar sina resultat: per organisation och mätperiod digital förmåga, digitalt "
        "arv, total mognad och mognaden per dimension, kategori och förmåga i procent. Endast aggregerade "
        "siffror; en siffra som färre än k svarande ligger bakom visas inte."
    ),
    "en": (
        "Organisation-wide results of digital maturity measurements (DiMiOS) in the municipalities, regions "
        "and agencies that share their results: per organisation and measurement period digital "
        "capability, digital legacy, overall maturity and the maturity per dimension, category and "
        "capability in per cent. Aggregated figures only; a figure with fewer than k respondents behind it "
        "is not shown."
    ),
}
CATALOGUE_DESCRIPTION = {
    "sv": "Öppna data från denna DiMiOS-instans: resultat av mätningar av digital mognad.",
    "en": "Open data from this DiMiOS instance: results of digital maturity measurements.",
}
KEYWORDS = {
    "sv": ["digital mognad", "digitalisering", "kommuner", "regioner", "myndigheter", "DiMiOS"],
    "en": ["digital maturity", "digitalisation", "municipalities", "regions", "agencies", "DiMiOS"],
}
DISTRIBUTION_TITLES = {
    "csv": {"sv": "Öppna data som CSV", "en": "Open data as CSV"},
    "json": {"sv": "Öppna data som JSON", "en": "Open data as JSON"},
    "xlsx": {"sv": "Öppna data som Excel-fil (XLSX)", "en": "Open data as an Excel workbook (XLSX)"},
    "api": {"sv": "Öppna data genom API (JSON)", "en": "Open data through the API (JSON)"},
}
SERVICE_TITLE = {"sv": "DiMiOS API för öppna data", "en": "DiMiOS open data API"}


def absolute(path: str) -> str:
    return settings.SITE_URL + path


def _texts(graph: Graph, subject: Any, predicate: URIRef, texts: dict[str, str]) -> None:
    for language, text in texts.items():
        graph.add((subject, predicate, Literal(text, lang=language)))


def _date(value: Any) -> Literal:
    if isinstance(value, datetime.datetime):
        return Literal(value.replace(microsecond=0), datatype=XSD.dateTime)
    return Literal(value, datatype=XSD.date)


def catalogue_urls() -> dict[str, str]:
    """The absolute addresses the catalogue names."""
    return {
        "page": absolute(reverse("maturity:open_data")),
        "catalogue": absolute(reverse("maturity:open_data_dcat")),
        "api": absolute(reverse("maturity:api_open_data")),
        # The API's root (the DataService's endpoint): the path the records' endpoint is under.
        "api_root": absolute(reverse("maturity:api_open_data").rsplit("/", 2)[0] + "/"),
        "periods": absolute(reverse("maturity:api_periods")),
        "schema": absolute(reverse("maturity:api_schema")),
        **{fmt: absolute(reverse("maturity:open_data_download", args=[fmt])) for fmt in open_data.FORMATS},
    }


def build_catalogue() -> Graph:
    """The catalogue as an RDF graph (three small queries: the latest closing and the periods)."""
    urls = catalogue_urls()
    last_published_at = open_data.get_last_published_at()
    periods = open_data.list_open_data_periods()
    licence = URIRef(open_data.LICENCE_URL)
    graph = Graph()
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF), ("vcard", VCARD)):
        graph.bind(prefix, namespace)

    publisher = URIRef(urls["page"] + "#publisher")
    graph.add((publisher, RDF.type, FOAF.Agent))
    graph.add((publisher, FOAF.name, Literal(settings.DIMIOS_OPEN_DATA_PUBLISHER)))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))

    contact = URIRef(urls["page"] + "#contact")
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(settings.DIMIOS_OPEN_DATA_PUBLISHER)))
    graph.add((contact, VCARD.hasEmail, URIRef("mailto:" + settings.DIMIOS_OPEN_DATA_CONTACT_EMAIL)))

    catalogue = URIRef(urls["catalogue"])
    dataset = URIRef(urls["page"] + "#dataset")
    service = URIRef(urls["api_root"] + "#service")
    graph.add((catalogue, RDF.type, DCAT.Catalog))
    _texts(graph, catalogue, DCTERMS.title, CATALOGUE_TITLE)
    _texts(graph, catalogue, DCTERMS.description, CATALOGUE_DESCRIPTION)
    graph.add((catalogue, DCTERMS.publisher, publisher))
    graph.add((catalogue, DCTERMS.license, licence))
    graph.add((catalogue, FOAF.homepage, URIRef(urls["page"])))
    for language in LANGUAGES:
        graph.add((catalogue, DCTERMS.language, language))
    graph.add((catalogue, DCAT.dataset, dataset))
    graph.add((catalogue, DCAT.service, service))

    graph.add((dataset, RDF.type, DCAT.Dataset))
    graph.add((dataset, DCTERMS.identifier, Literal(str(dataset))))
    _texts(graph, dataset, DCTERMS.title, TITLE)
    _texts(graph, dataset, DCTERMS.description, DESCRIPTION)
    graph.add((dataset, DCTERMS.publisher, publisher))
    graph.add((dataset, DCAT.contactPoint, contact))
    graph.add((dataset, DCAT.theme, THEME_GOVERNMENT))
    graph.add((dataset, DCTERMS.accrualPeriodicity, FREQUENCY))
    graph.add((dataset, DCTERMS.spatial, SWEDEN))
    graph.add((dataset, DCAT.landingPage, URIRef(urls["page"])))
    graph.add((dataset, DCTERMS.conformsTo, URIRef(urls["schema"])))
    for language in LANGUAGES:
        graph.add((dataset, DCTERMS.language, language))
    for tag, words in KEYWORDS.items():
        for word in words:
            graph.add((dataset, DCAT.keyword, Literal(word, lang=tag)))
    if periods:
        temporal = BNode()
        graph.add((temporal, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((temporal, DCAT.startDate, _date(periods[0]["starts_on"])))
        graph.add((temporal, DCAT.endDate, _date(periods[-1]["ends_on"])))
        graph.add((dataset, DCTERMS.temporal, temporal))
        graph.add((dataset, DCTERMS.issued, _date(periods[0]["ends_on"])))
    if last_published_at is not None:
        graph.add((dataset, DCTERMS.modified, _date(last_published_at)))

    for fmt, media_type in open_data.FORMATS.items():
        distribution = URIRef(urls[fmt] + "#distribution")
        graph.add((dataset, DCAT.distribution, distribution))
        graph.add((distribution, RDF.type, DCAT.Distribution))
        _texts(graph, distribution, DCTERMS.title, DISTRIBUTION_TITLES[fmt])
        graph.add((distribution, DCAT.accessURL, URIRef(urls["page"])))
        graph.add((distribution, DCAT.downloadURL, URIRef(urls[fmt])))
        graph.add((distribution, DCTERMS.format, URIRef(EU + "file-type/" + FILE_TYPES[fmt])))
        graph.add((distribution, DCAT.mediaType, URIRef(IANA + media_type.split(";")[0])))
        graph.add((distribution, DCTERMS.license, licence))

    api = URIRef(urls["api"] + "#distribution")
    graph.add((dataset, DCAT.distribution, api))
    graph.add((api, RDF.type, DCAT.Distribution))
    _texts(graph, api, DCTERMS.title, DISTRIBUTION_TITLES["api"])
    graph.add((api, DCAT.accessURL, URIRef(urls["api"])))
    graph.add((api, DCAT.accessService, service))
    graph.add((api, DCTERMS.format, URIRef(EU + "file-type/JSON")))
    graph.add((api, DCAT.mediaType, URIRef(IANA + "application/json")))
    graph.add((api, DCTERMS.conformsTo, URIRef(urls["schema"])))
    graph.add((api, DCTERMS.license, licence))

    graph.add((service, RDF.type, DCAT.DataService))
    _texts(graph, service, DCTERMS.title, SERVICE_TITLE)
    graph.add((service, DCAT.endpointURL, URIRef(urls["api_root"])))
    graph.add((service, DCAT.endpointDescription, URIRef(urls["schema"])))
    graph.add((service, DCTERMS.conformsTo, URIRef(urls["schema"])))
    graph.add((service, DCAT.servesDataset, dataset))
    graph.add((service, DCTERMS.publisher, publisher))
    graph.add((service, DCAT.contactPoint, contact))
    graph.add((service, DCTERMS.license, licence))
    return graph


def catalogue_as_rdf_xml() -> bytes:
    return build_catalogue().serialize(format="pretty-xml", encoding="utf-8")
