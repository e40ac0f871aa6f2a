"""Reads of the surveys app, by what they read: organisations (departments, groups, roles, the home page),
rounds (periods, respondents, send status, reminders, audit), respond (the respondent's pages)."""
