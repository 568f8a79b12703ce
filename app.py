"""LSTM Lab -- entry point. Run with `streamlit run app.py`."""

import streamlit as st

st.set_page_config(page_title="LSTM Lab", layout="wide")
st.title("LSTM Lab")
st.write("The full app is being built; see the README.")
