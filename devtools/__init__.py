"""Development and test tools, not the product: the sample newsroom's server, a stand-in GDELT
API, and the evaluation harness (`make eval`)."""
