#!/usr/bin/env python
from luoshi.cli import main

if __name__ == "__main__":
    main()
