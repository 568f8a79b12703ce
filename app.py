"""LSTM Lab -- entry point. Run with `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="LSTM Lab", page_icon=":material/show_chart:", layout="wide")

pages = [
    st.Page("pages/playground.py", title="Playground", icon=":material/tune:", default=True),
    st.Page("pages/learning_rate.py", title="Learning rate", icon=":material/speed:"),
    st.Page("pages/feature_scaling.py", title="Feature scaling", icon=":material/balance:"),
    st.Page("pages/sequence_length.py", title="Sequence length", icon=":material/straighten:"),
    st.Page("pages/about.py", title="About", icon=":material/info:"),
]
st.navigation(pages).run()
