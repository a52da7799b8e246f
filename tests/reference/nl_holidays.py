"""Dutch holidays per year from the `holidays` package, as the independent reference for
klachtenbus's calendar profiles.

  kantoor = the package's default NL categories, without Goede Vrijdag
  atw     = the default categories plus `optional` (5 May every year)

Prints one JSON object: {"kantoor": {"2000": ["2000-01-01", ...], ...}, "atw": {...}}.
Usage: python nl_holidays.py FIRST_YEAR LAST_YEAR
"""
import datetime
import json
import sys

import holidays
from dateutil.easter import easter


def main() -> None:
    first, last = int(sys.argv[1]), int(sys.argv[2])
    years = range(first, last + 1)
    default = holidays.country_holidays("NL", years=years)
    optional = holidays.country_holidays("NL", years=years, categories=("optional",))
    out = {"kantoor": {}, "atw": {}, "version": holidays.__version__}
    for year in years:
        base = {d for d in default if d.year == year}
        good_friday = {easter(year) - datetime.timedelta(days=2)}
        opt = {d for d in optional if d.year == year}
        out["kantoor"][str(year)] = sorted(d.isoformat() for d in base - good_friday)
        out["atw"][str(year)] = sorted(d.isoformat() for d in base | opt)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
