"""Geoprocessing for Wonen en Zorg 2040: read inputs, geocode, indicators, forecast, gap."""

import pandas as _pd

# pandas 3 stores text columns (the default ``str`` dtype) as Arrow strings whenever pyarrow is
# installed (``mode.string_storage = "auto"``); pyarrow is a dependency for the Parquet inputs
# (geo/parquet.py). Arrow strings refuse text Python allows (a lone surrogate from a mis-decoded
# file raises UnicodeEncodeError) and differ in other details, so the whole program keeps the
# Python storage it had without pyarrow: set here, before any DataFrame is made, because every
# entry point imports geo.
_pd.set_option("mode.string_storage", "python")
