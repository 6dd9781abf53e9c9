/*  location_country: the ISO 3166-1 alpha-2 code of a country as a spreadsheet writes it. */
#ifndef LOCATION_COUNTRY_H
#define LOCATION_COUNTRY_H

//  text may be the alpha-2 code in any case ("vn"), the alpha-3 code ("VNM"), or a name as
//  Debian's iso-codes lists it (name, common name or official name: "Viet Nam", "Vietnam",
//  "Socialist Republic of Viet Nam"), compared by normal form (case, marks and punctuation do
//  not count: "TÜRKIYE"), or one of a few English names iso-codes does not list ("Turkey",
//  "Russia", "South Korea"). Writes the code into out; 0, or -1 when it is no country.
//  The names come from $IMVO_ISO_CODES (default /usr/share/iso-codes/json/iso_3166-1.json),
//  read once; without that file only the codes are known.
int location_country (const char *text, char out [3]);

#endif
