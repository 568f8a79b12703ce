"""LSTM Lab -- entry point. Run with `streamlit run app.py`.

The screen: a menu along the top (tools, one page per failure mode, help), the page's
title with the presenter toggle, then the page. See ui/ for the layers below the pages.
"""

import streamlit as st

from ui import navigation

# Streamlit runs this file as __main__; the runner's worker processes (multiprocessing
# "spawn") import it again as __mp_main__, where there is no page to draw.
if __name__ == "__main__":
    st.set_page_config(page_title="LSTM Lab", page_icon=":material/show_chart:",
                       layout="wide")
    navigation.run()
