"""Every state change of the maturity app, one module per area: questionnaires, results, imports."""
