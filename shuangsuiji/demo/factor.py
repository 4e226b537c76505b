"""The demo's second factor, apart from Django so that `scripts/demo-code` can print the current
code without settings or a database. Demo data only: never a production secret."""

# The demo's privileged accounts share this TOTP secret so that a newcomer can sign in: add it to
# a phone's authenticator, or read the current code with `./scripts/demo-code`.
DEMO_TOTP_SECRET = "DEMODEMODEMODEMODEMODEMODEMODEMO"
