def build_demo() -> str:
    return "appraisal demo: not built"
