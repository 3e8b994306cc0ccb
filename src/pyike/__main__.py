import sys

from pyike.cli import main

sys.exit(main())
