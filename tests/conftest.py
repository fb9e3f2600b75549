import pathlib
import sys

# the oracle and the accuracy cases are plain modules beside the tests
sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
