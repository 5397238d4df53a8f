"""stackcost what-if page: `streamlit run app.py` (the logic lives in the stackcost package)."""

from stackcost.ui.page import main

main()
