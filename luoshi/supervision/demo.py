def build_demo_items() -> str:
    return "todo"
