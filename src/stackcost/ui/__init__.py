"""The Streamlit what-if page (`streamlit run app.py`): scenario logic, charts and layout, kept apart so the logic
is tested without a browser."""
