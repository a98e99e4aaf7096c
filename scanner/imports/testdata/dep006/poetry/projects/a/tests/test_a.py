import pytest
import a.main
