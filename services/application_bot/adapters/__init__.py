"""The bot's edges: the browser, the portal forms and ledgers, the candidate directory."""
