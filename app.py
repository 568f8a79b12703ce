"""LSTM Lab -- entry point. Run with `streamlit run app.py`."""

import streamlit as st

from pages._live import presenter_controls, show_lesson_note, show_problems, start_lesson

st.set_page_config(page_title="LSTM Lab", page_icon=":material/show_chart:", layout="wide")
start_lesson()  # a lesson link's keys (hidden controls, preset, note, presenter), once

pages = {
    "Explore": [
        st.Page("pages/playground.py", title="Playground", icon=":material/tune:",
                default=True),
        st.Page("pages/data.py", title="Your data", icon=":material/upload_file:"),
        st.Page("pages/sweep.py", title="Sweep", icon=":material/grid_on:"),
    ],
    "Failure modes": [
        st.Page("pages/learning_rate.py", title="Learning rate", icon=":material/speed:"),
        st.Page("pages/huge_lr.py", title="Huge learning rate",
                icon=":material/local_fire_department:"),
        st.Page("pages/feature_scaling.py", title="Feature scaling", icon=":material/balance:"),
        st.Page("pages/sequence_length.py", title="Sequence length",
                icon=":material/straighten:"),
        st.Page("pages/too_few_epochs.py", title="Too few epochs", icon=":material/timer:"),
        st.Page("pages/missing_values.py", title="Missing values",
                icon=":material/grid_off:"),
        st.Page("pages/outliers.py", title="Outliers", icon=":material/bolt:"),
        st.Page("pages/spurious_feature.py", title="Spurious feature",
                icon=":material/psychology_alt:"),
        st.Page("pages/shape_bug.py", title="Shape bug", icon=":material/data_array:"),
    ],
    "Help": [st.Page("pages/about.py", title="About", icon=":material/info:")],
}
page = st.navigation(pages, expanded=True)  # every page listed, none behind "View more"
presenter_controls()
show_problems(st.session_state.pop("lesson_problems", []))
show_lesson_note()
page.run()
