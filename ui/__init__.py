"""The Streamlit UI of LSTM Lab, in layers below the page scripts.

``state`` (session and URL state: the lesson, presenter mode, the Playground's config)
→ ``live`` (a run's live view and the runner) → ``panels`` (doctor, pre-flight, range
test, share / export / import, lesson builder) → ``layouts`` (the Playground, a failure
page, the walkthrough). ``navigation`` (app.py's menu, built from the failure-mode
registry, and the deep-link guard) uses ``state`` only. Each module imports only the ones
before it; every number and chart comes from :mod:`lstm_lab`.
"""
