"""Streamlit-only helpers shared by the pages; the only part of movierec that imports streamlit."""
