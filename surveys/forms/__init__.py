"""Forms of the surveys app: common (mixins, confirmation), organisation (departments, groups, roles),
rounds (a round and its settings, respondents), respond (the respondent's answers)."""
