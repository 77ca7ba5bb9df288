#!/usr/bin/env python
from firstline.cli import main

if __name__ == "__main__":
    main()
