"""The Streamlit dashboard over the current publication (`make dashboard`)."""
