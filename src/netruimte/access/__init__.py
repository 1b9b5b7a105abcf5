"""Who may do what: users and tokens, sessions, the audit trail, first start."""
