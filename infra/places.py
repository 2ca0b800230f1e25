"""Place names: countries, US states and Canadian provinces (job locations, licences, where a
candidate lives)."""

from __future__ import annotations

# Spellings sources use for a country, to its ISO 3166-1 alpha-2 code.
COUNTRIES: dict[str, str] = {
    "us": "US", "usa": "US", "u s": "US", "u s a": "US", "united states": "US",
    "united states of america": "US", "america": "US",
    "uk": "GB", "gb": "GB", "united kingdom": "GB", "great britain": "GB", "england": "GB",
    "scotland": "GB", "wales": "GB", "northern ireland": "GB",
    "de": "DE", "germany": "DE", "deutschland": "DE",
    "fr": "FR", "france": "FR", "nl": "NL", "netherlands": "NL", "the netherlands": "NL",
    "holland": "NL", "es": "ES", "spain": "ES", "espana": "ES", "españa": "ES",
    "it": "IT", "italy": "IT", "italia": "IT", "ie": "IE", "ireland": "IE",
    "pt": "PT", "portugal": "PT", "pl": "PL", "poland": "PL", "polska": "PL",
    "se": "SE", "sweden": "SE", "dk": "DK", "denmark": "DK", "no": "NO", "norway": "NO",
    "fi": "FI", "finland": "FI", "at": "AT", "austria": "AT", "osterreich": "AT",
    "österreich": "AT", "ch": "CH", "switzerland": "CH", "schweiz": "CH",
    "be": "BE", "belgium": "BE", "cz": "CZ", "czech republic": "CZ", "czechia": "CZ",
    "ca": "CA", "canada": "CA", "mx": "MX", "mexico": "MX", "br": "BR", "brazil": "BR",
    "ar": "AR", "argentina": "AR", "in": "IN", "india": "IN", "sg": "SG",
    "singapore": "SG", "jp": "JP", "japan": "JP", "au": "AU", "australia": "AU",
    "nz": "NZ", "new zealand": "NZ", "il": "IL", "israel": "IL", "ae": "AE",
    "uae": "AE", "united arab emirates": "AE", "za": "ZA", "south africa": "ZA",
    "eu": "EU", "europe": "EU", "emea": "EU",
}

US_STATES: dict[str, str] = {
    "alabama": "AL", "alaska": "AK", "arizona": "AZ", "arkansas": "AR", "california": "CA",
    "colorado": "CO", "connecticut": "CT", "delaware": "DE", "florida": "FL", "georgia": "GA",
    "hawaii": "HI", "idaho": "ID", "illinois": "IL", "indiana": "IN", "iowa": "IA",
    "kansas": "KS", "kentucky": "KY", "louisiana": "LA", "maine": "ME", "maryland": "MD",
    "massachusetts": "MA", "michigan": "MI", "minnesota": "MN", "mississippi": "MS",
    "missouri": "MO", "montana": "MT", "nebraska": "NE", "nevada": "NV",
    "new hampshire": "NH", "new jersey": "NJ", "new mexico": "NM", "new york": "NY",
    "north carolina": "NC", "north dakota": "ND", "ohio": "OH", "oklahoma": "OK",
    "oregon": "OR", "pennsylvania": "PA", "rhode island": "RI", "south carolina": "SC",
    "south dakota": "SD", "tennessee": "TN", "texas": "TX", "utah": "UT", "vermont": "VT",
    "virginia": "VA", "washington": "WA", "west virginia": "WV", "wisconsin": "WI",
    "wyoming": "WY", "district of columbia": "DC",
}
US_STATE_CODES = frozenset(US_STATES.values())

CA_PROVINCES: dict[str, str] = {
    "ontario": "ON", "quebec": "QC", "british columbia": "BC", "alberta": "AB",
    "manitoba": "MB", "nova scotia": "NS", "saskatchewan": "SK", "new brunswick": "NB",
    "newfoundland and labrador": "NL", "prince edward island": "PE", "yukon": "YT",
    "northwest territories": "NT", "nunavut": "NU",
}
CA_PROVINCE_CODES = frozenset(CA_PROVINCES.values())

# One name per city, whatever language or nickname a source uses.
CITY_ALIASES: dict[str, str] = {
    "nyc": "new york", "new york city": "new york", "sf": "san francisco",
    "münchen": "munich", "munchen": "munich", "köln": "cologne", "koln": "cologne",
    "wien": "vienna", "zürich": "zurich", "praha": "prague", "lisboa": "lisbon",
    "warszawa": "warsaw", "bengaluru": "bangalore", "frankfurt am main": "frankfurt",
}

# Well-known cities of the countries whose codes are also US state codes (DE, CA, IN, IL, AR):
# after one of these cities the code names the country ("Berlin, DE"), elsewhere the state
# ("Dover, DE").
CITY_COUNTRIES: dict[str, str] = {
    **dict.fromkeys((
        "berlin", "hamburg", "munich", "cologne", "frankfurt", "stuttgart", "dusseldorf",
        "düsseldorf", "leipzig", "dortmund", "essen", "bremen", "dresden", "hanover",
        "hannover", "nuremberg", "nürnberg", "nurnberg", "karlsruhe", "mannheim", "bonn",
        "heidelberg", "potsdam", "aachen", "freiburg", "munster", "münster"), "DE"),
    **dict.fromkeys((
        "toronto", "montreal", "montréal", "vancouver", "calgary", "ottawa", "edmonton",
        "winnipeg", "quebec city", "halifax", "mississauga", "waterloo", "kitchener",
        "burnaby", "markham", "saskatoon", "regina"), "CA"),
    **dict.fromkeys((
        "bangalore", "mumbai", "delhi", "new delhi", "hyderabad", "chennai", "pune",
        "kolkata", "gurgaon", "gurugram", "noida", "ahmedabad", "jaipur", "kochi"), "IN"),
    **dict.fromkeys((
        "tel aviv", "jerusalem", "haifa", "herzliya", "ramat gan", "petah tikva",
        "netanya", "beersheba"), "IL"),
    **dict.fromkeys(("buenos aires", "cordoba", "córdoba", "rosario", "mendoza"), "AR"),
}
