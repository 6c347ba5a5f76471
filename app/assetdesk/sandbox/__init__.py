"""Local emulator of useapi.net (Google Flow, Runway), its signed-URL storage and Wordbee.

An independent implementation of the public reference pages: it imports nothing from the rest of
assetdesk. Run it with `python -m assetdesk.sandbox`; start it from code or tests with
`assetdesk.sandbox.launcher.SandboxProcess`.
"""
