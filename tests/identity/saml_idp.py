"""A SAML 2.0 identity provider for tests, in-process: its own RSA key and self-signed certificate, and signed
Responses built the way an IdP builds them (python3-saml's xmlsec signing). The service provider under test
(allauth's SAML provider, python3-saml) checks them through its real ACS endpoint."""

from __future__ import annotations

import base64
import datetime
import uuid
import zlib
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants
from onelogin.saml2.utils import OneLogin_Saml2_Utils

ENTITY_ID = "https://idp.kommun.example/saml"
SSO_URL = "https://idp.kommun.example/saml/sso"


def _key_and_certificate(common_name: str) -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    cert_pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return key_pem, cert_pem


def _instant(moment: datetime.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@dataclass
class AuthnRequest:
    id: str
    acs_url: str
    relay_state: str


class LocalIdP:
    def __init__(self) -> None:
        self.key, self.certificate = _key_and_certificate("idp.kommun.example")

    def read_request(self, redirect_url: str) -> AuthnRequest:
        """The SP's HTTP-Redirect AuthnRequest, decoded as the IdP would."""
        assert redirect_url.startswith(SSO_URL), redirect_url
        query = parse_qs(urlsplit(redirect_url).query)
        xml = zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)
        root = etree.fromstring(xml)
        return AuthnRequest(
            id=root.get("ID"),
            acs_url=root.get("AssertionConsumerServiceURL"),
            relay_state=query.get("RelayState", [""])[0],
        )

    def response(
        self,
        request: AuthnRequest,
        *,
        email: str,
        audience: str,
        signing_key: str | None = None,
        signing_certificate: str | None = None,
        not_on_or_after: datetime.datetime | None = None,
    ) -> str:
        """A base64 SAMLResponse with a signed assertion for ``email``."""
        now = datetime.datetime.now(datetime.timezone.utc)
        until = not_on_or_after or now + datetime.timedelta(minutes=5)
        assertion_id = f"_{uuid.uuid4().hex}"
        name_id = uuid.uuid5(uuid.NAMESPACE_URL, email)
        before = now - datetime.timedelta(minutes=1)
        assertion = f"""<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"
 xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"
 ID="{assertion_id}" Version="2.0" IssueInstant="{_instant(now)}">
 <saml:Issuer>{ENTITY_ID}</saml:Issuer>
 <saml:Subject>
  <saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{name_id}</saml:NameID>
  <saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
   <saml:SubjectConfirmationData NotOnOrAfter="{_instant(until)}" Recipient="{request.acs_url}"
    InResponseTo="{request.id}"/>
  </saml:SubjectConfirmation>
 </saml:Subject>
 <saml:Conditions NotBefore="{_instant(before)}" NotOnOrAfter="{_instant(until)}">
  <saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction>
 </saml:Conditions>
 <saml:AuthnStatement AuthnInstant="{_instant(now)}" SessionIndex="{assertion_id}">
  <saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext>
 </saml:AuthnStatement>
 <saml:AttributeStatement>
  <saml:Attribute Name="urn:oid:0.9.2342.19200300.100.1.3"
   NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">
   <saml:AttributeValue xsi:type="xs:string">{email}</saml:AttributeValue>
  </saml:Attribute>
 </saml:AttributeStatement>
</saml:Assertion>"""
        signed = OneLogin_Saml2_Utils.add_sign(
            assertion,
            signing_key or self.key,
            signing_certificate or self.certificate,
            sign_algorithm=OneLogin_Saml2_Constants.RSA_SHA256,
            digest_algorithm=OneLogin_Saml2_Constants.SHA256,
        )
        if isinstance(signed, bytes):
            signed = signed.decode()
        signed = signed.replace('<?xml version="1.0"?>', "").strip()
        response = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_{uuid.uuid4().hex}" Version="2.0"
 IssueInstant="{_instant(now)}" Destination="{request.acs_url}" InResponseTo="{request.id}">
 <saml:Issuer>{ENTITY_ID}</saml:Issuer>
 <samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
 {signed}
</samlp:Response>"""
        return base64.b64encode(response.encode()).decode()
