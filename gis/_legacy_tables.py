"""Conversion tables of the legacy 8-bit Vietnamese font encodings TCVN3 (ABC) and VNI-Windows.

Data only; the functions that use them live in :mod:`gis.text`. Keys are the legacy *characters*
as they appear when the legacy bytes are read as cp1252 or latin-1 (byte ``0xB8`` -> ``"\\xb8"``,
"¸"); both code pages agree on every byte used here (0xA1-0xFE), so either reading works.

Source: the tables of the UniKey VnConv library by Pham Kim Long (GPL-2, file
``ukengine/data.cpp``, arrays ``UnicodeTable``, ``SingleByteTables`` row "TCVN3" and
``DoubleByteTables`` row "VNI-WIN"; read in the copy published at
https://github.com/vn-input/ibus-unikey). Transcribed to one entry per letter, with the Unicode
character name as a comment. Cross-checked (tests/test_text.py) against

* GNU libc ``iconv -f TCVN5712-1`` (a peer implementation of TCVN 5712:1993): all 74 TCVN3
  entries agree;
* the VNI table of xvnkb by Dao Hai Lam (``vni.h``, https://github.com/lamdao/xvnkb): all 134
  VNI entries agree;
* published sample strings (see the tests).

TCVN3 (TCVN 5712:1993 "VN3", the .VnTime/.VnArial fonts) has one byte per precomposed letter but
only for the lower-case letters and for the seven upper-case letters without a tone mark
(Ă Â Ê Ô Ơ Ư Đ). Upper-case letters *with* a tone mark were shown by switching to the all-caps
fonts (.VnTimeH ...), which draw capitals on the lower-case codes; the bytes cannot tell the two
apart, so each such code is listed here with its lower-case letter (as UniKey does).

VNI-Windows (VNI-Times ... fonts) writes a toned vowel as two bytes: the base letter (A, E, O, U,
Y, or Ô = Ơ, Ö = Ư) followed by a mark byte (upper-case marks follow upper-case bases); i-vowels,
Ỵ/ỵ, Đ/đ, Ơ/ơ and Ư/ư are single bytes. It covers all 134 letters, upper and lower case.
"""

from __future__ import annotations

TCVN3_TO_UNICODE: dict[str, str] = {
    "\xb8": "á",  # LATIN SMALL LETTER A WITH ACUTE
    "\xb5": "à",  # LATIN SMALL LETTER A WITH GRAVE
    "\xb6": "ả",  # LATIN SMALL LETTER A WITH HOOK ABOVE
    "\xb7": "ã",  # LATIN SMALL LETTER A WITH TILDE
    "\xb9": "ạ",  # LATIN SMALL LETTER A WITH DOT BELOW
    "\xa2": "Â",  # LATIN CAPITAL LETTER A WITH CIRCUMFLEX
    "\xa9": "â",  # LATIN SMALL LETTER A WITH CIRCUMFLEX
    "\xca": "ấ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND ACUTE
    "\xc7": "ầ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND GRAVE
    "\xc8": "ẩ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND HOOK ABOVE
    "\xc9": "ẫ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND TILDE
    "\xcb": "ậ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND DOT BELOW
    "\xa1": "Ă",  # LATIN CAPITAL LETTER A WITH BREVE
    "\xa8": "ă",  # LATIN SMALL LETTER A WITH BREVE
    "\xbe": "ắ",  # LATIN SMALL LETTER A WITH BREVE AND ACUTE
    "\xbb": "ằ",  # LATIN SMALL LETTER A WITH BREVE AND GRAVE
    "\xbc": "ẳ",  # LATIN SMALL LETTER A WITH BREVE AND HOOK ABOVE
    "\xbd": "ẵ",  # LATIN SMALL LETTER A WITH BREVE AND TILDE
    "\xc6": "ặ",  # LATIN SMALL LETTER A WITH BREVE AND DOT BELOW
    "\xa7": "Đ",  # LATIN CAPITAL LETTER D WITH STROKE
    "\xae": "đ",  # LATIN SMALL LETTER D WITH STROKE
    "\xd0": "é",  # LATIN SMALL LETTER E WITH ACUTE
    "\xcc": "è",  # LATIN SMALL LETTER E WITH GRAVE
    "\xce": "ẻ",  # LATIN SMALL LETTER E WITH HOOK ABOVE
    "\xcf": "ẽ",  # LATIN SMALL LETTER E WITH TILDE
    "\xd1": "ẹ",  # LATIN SMALL LETTER E WITH DOT BELOW
    "\xa3": "Ê",  # LATIN CAPITAL LETTER E WITH CIRCUMFLEX
    "\xaa": "ê",  # LATIN SMALL LETTER E WITH CIRCUMFLEX
    "\xd5": "ế",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND ACUTE
    "\xd2": "ề",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND GRAVE
    "\xd3": "ể",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND HOOK ABOVE
    "\xd4": "ễ",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND TILDE
    "\xd6": "ệ",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND DOT BELOW
    "\xdd": "í",  # LATIN SMALL LETTER I WITH ACUTE
    "\xd7": "ì",  # LATIN SMALL LETTER I WITH GRAVE
    "\xd8": "ỉ",  # LATIN SMALL LETTER I WITH HOOK ABOVE
    "\xdc": "ĩ",  # LATIN SMALL LETTER I WITH TILDE
    "\xde": "ị",  # LATIN SMALL LETTER I WITH DOT BELOW
    "\xe3": "ó",  # LATIN SMALL LETTER O WITH ACUTE
    "\xdf": "ò",  # LATIN SMALL LETTER O WITH GRAVE
    "\xe1": "ỏ",  # LATIN SMALL LETTER O WITH HOOK ABOVE
    "\xe2": "õ",  # LATIN SMALL LETTER O WITH TILDE
    "\xe4": "ọ",  # LATIN SMALL LETTER O WITH DOT BELOW
    "\xa4": "Ô",  # LATIN CAPITAL LETTER O WITH CIRCUMFLEX
    "\xab": "ô",  # LATIN SMALL LETTER O WITH CIRCUMFLEX
    "\xe8": "ố",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND ACUTE
    "\xe5": "ồ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND GRAVE
    "\xe6": "ổ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND HOOK ABOVE
    "\xe7": "ỗ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND TILDE
    "\xe9": "ộ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND DOT BELOW
    "\xa5": "Ơ",  # LATIN CAPITAL LETTER O WITH HORN
    "\xac": "ơ",  # LATIN SMALL LETTER O WITH HORN
    "\xed": "ớ",  # LATIN SMALL LETTER O WITH HORN AND ACUTE
    "\xea": "ờ",  # LATIN SMALL LETTER O WITH HORN AND GRAVE
    "\xeb": "ở",  # LATIN SMALL LETTER O WITH HORN AND HOOK ABOVE
    "\xec": "ỡ",  # LATIN SMALL LETTER O WITH HORN AND TILDE
    "\xee": "ợ",  # LATIN SMALL LETTER O WITH HORN AND DOT BELOW
    "\xf3": "ú",  # LATIN SMALL LETTER U WITH ACUTE
    "\xef": "ù",  # LATIN SMALL LETTER U WITH GRAVE
    "\xf1": "ủ",  # LATIN SMALL LETTER U WITH HOOK ABOVE
    "\xf2": "ũ",  # LATIN SMALL LETTER U WITH TILDE
    "\xf4": "ụ",  # LATIN SMALL LETTER U WITH DOT BELOW
    "\xa6": "Ư",  # LATIN CAPITAL LETTER U WITH HORN
    "\xad": "ư",  # LATIN SMALL LETTER U WITH HORN
    "\xf8": "ứ",  # LATIN SMALL LETTER U WITH HORN AND ACUTE
    "\xf5": "ừ",  # LATIN SMALL LETTER U WITH HORN AND GRAVE
    "\xf6": "ử",  # LATIN SMALL LETTER U WITH HORN AND HOOK ABOVE
    "\xf7": "ữ",  # LATIN SMALL LETTER U WITH HORN AND TILDE
    "\xf9": "ự",  # LATIN SMALL LETTER U WITH HORN AND DOT BELOW
    "\xfd": "ý",  # LATIN SMALL LETTER Y WITH ACUTE
    "\xfa": "ỳ",  # LATIN SMALL LETTER Y WITH GRAVE
    "\xfb": "ỷ",  # LATIN SMALL LETTER Y WITH HOOK ABOVE
    "\xfc": "ỹ",  # LATIN SMALL LETTER Y WITH TILDE
    "\xfe": "ỵ",  # LATIN SMALL LETTER Y WITH DOT BELOW
}

VNI_TO_UNICODE: dict[str, str] = {
    "A\xd9": "Á",  # LATIN CAPITAL LETTER A WITH ACUTE
    "a\xf9": "á",  # LATIN SMALL LETTER A WITH ACUTE
    "A\xd8": "À",  # LATIN CAPITAL LETTER A WITH GRAVE
    "a\xf8": "à",  # LATIN SMALL LETTER A WITH GRAVE
    "A\xdb": "Ả",  # LATIN CAPITAL LETTER A WITH HOOK ABOVE
    "a\xfb": "ả",  # LATIN SMALL LETTER A WITH HOOK ABOVE
    "A\xd5": "Ã",  # LATIN CAPITAL LETTER A WITH TILDE
    "a\xf5": "ã",  # LATIN SMALL LETTER A WITH TILDE
    "A\xcf": "Ạ",  # LATIN CAPITAL LETTER A WITH DOT BELOW
    "a\xef": "ạ",  # LATIN SMALL LETTER A WITH DOT BELOW
    "A\xc2": "Â",  # LATIN CAPITAL LETTER A WITH CIRCUMFLEX
    "a\xe2": "â",  # LATIN SMALL LETTER A WITH CIRCUMFLEX
    "A\xc1": "Ấ",  # LATIN CAPITAL LETTER A WITH CIRCUMFLEX AND ACUTE
    "a\xe1": "ấ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND ACUTE
    "A\xc0": "Ầ",  # LATIN CAPITAL LETTER A WITH CIRCUMFLEX AND GRAVE
    "a\xe0": "ầ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND GRAVE
    "A\xc5": "Ẩ",  # LATIN CAPITAL LETTER A WITH CIRCUMFLEX AND HOOK ABOVE
    "a\xe5": "ẩ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND HOOK ABOVE
    "A\xc3": "Ẫ",  # LATIN CAPITAL LETTER A WITH CIRCUMFLEX AND TILDE
    "a\xe3": "ẫ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND TILDE
    "A\xc4": "Ậ",  # LATIN CAPITAL LETTER A WITH CIRCUMFLEX AND DOT BELOW
    "a\xe4": "ậ",  # LATIN SMALL LETTER A WITH CIRCUMFLEX AND DOT BELOW
    "A\xca": "Ă",  # LATIN CAPITAL LETTER A WITH BREVE
    "a\xea": "ă",  # LATIN SMALL LETTER A WITH BREVE
    "A\xc9": "Ắ",  # LATIN CAPITAL LETTER A WITH BREVE AND ACUTE
    "a\xe9": "ắ",  # LATIN SMALL LETTER A WITH BREVE AND ACUTE
    "A\xc8": "Ằ",  # LATIN CAPITAL LETTER A WITH BREVE AND GRAVE
    "a\xe8": "ằ",  # LATIN SMALL LETTER A WITH BREVE AND GRAVE
    "A\xda": "Ẳ",  # LATIN CAPITAL LETTER A WITH BREVE AND HOOK ABOVE
    "a\xfa": "ẳ",  # LATIN SMALL LETTER A WITH BREVE AND HOOK ABOVE
    "A\xdc": "Ẵ",  # LATIN CAPITAL LETTER A WITH BREVE AND TILDE
    "a\xfc": "ẵ",  # LATIN SMALL LETTER A WITH BREVE AND TILDE
    "A\xcb": "Ặ",  # LATIN CAPITAL LETTER A WITH BREVE AND DOT BELOW
    "a\xeb": "ặ",  # LATIN SMALL LETTER A WITH BREVE AND DOT BELOW
    "\xd1": "Đ",  # LATIN CAPITAL LETTER D WITH STROKE
    "\xf1": "đ",  # LATIN SMALL LETTER D WITH STROKE
    "E\xd9": "É",  # LATIN CAPITAL LETTER E WITH ACUTE
    "e\xf9": "é",  # LATIN SMALL LETTER E WITH ACUTE
    "E\xd8": "È",  # LATIN CAPITAL LETTER E WITH GRAVE
    "e\xf8": "è",  # LATIN SMALL LETTER E WITH GRAVE
    "E\xdb": "Ẻ",  # LATIN CAPITAL LETTER E WITH HOOK ABOVE
    "e\xfb": "ẻ",  # LATIN SMALL LETTER E WITH HOOK ABOVE
    "E\xd5": "Ẽ",  # LATIN CAPITAL LETTER E WITH TILDE
    "e\xf5": "ẽ",  # LATIN SMALL LETTER E WITH TILDE
    "E\xcf": "Ẹ",  # LATIN CAPITAL LETTER E WITH DOT BELOW
    "e\xef": "ẹ",  # LATIN SMALL LETTER E WITH DOT BELOW
    "E\xc2": "Ê",  # LATIN CAPITAL LETTER E WITH CIRCUMFLEX
    "e\xe2": "ê",  # LATIN SMALL LETTER E WITH CIRCUMFLEX
    "E\xc1": "Ế",  # LATIN CAPITAL LETTER E WITH CIRCUMFLEX AND ACUTE
    "e\xe1": "ế",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND ACUTE
    "E\xc0": "Ề",  # LATIN CAPITAL LETTER E WITH CIRCUMFLEX AND GRAVE
    "e\xe0": "ề",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND GRAVE
    "E\xc5": "Ể",  # LATIN CAPITAL LETTER E WITH CIRCUMFLEX AND HOOK ABOVE
    "e\xe5": "ể",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND HOOK ABOVE
    "E\xc3": "Ễ",  # LATIN CAPITAL LETTER E WITH CIRCUMFLEX AND TILDE
    "e\xe3": "ễ",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND TILDE
    "E\xc4": "Ệ",  # LATIN CAPITAL LETTER E WITH CIRCUMFLEX AND DOT BELOW
    "e\xe4": "ệ",  # LATIN SMALL LETTER E WITH CIRCUMFLEX AND DOT BELOW
    "\xcd": "Í",  # LATIN CAPITAL LETTER I WITH ACUTE
    "\xed": "í",  # LATIN SMALL LETTER I WITH ACUTE
    "\xcc": "Ì",  # LATIN CAPITAL LETTER I WITH GRAVE
    "\xec": "ì",  # LATIN SMALL LETTER I WITH GRAVE
    "\xc6": "Ỉ",  # LATIN CAPITAL LETTER I WITH HOOK ABOVE
    "\xe6": "ỉ",  # LATIN SMALL LETTER I WITH HOOK ABOVE
    "\xd3": "Ĩ",  # LATIN CAPITAL LETTER I WITH TILDE
    "\xf3": "ĩ",  # LATIN SMALL LETTER I WITH TILDE
    "\xd2": "Ị",  # LATIN CAPITAL LETTER I WITH DOT BELOW
    "\xf2": "ị",  # LATIN SMALL LETTER I WITH DOT BELOW
    "O\xd9": "Ó",  # LATIN CAPITAL LETTER O WITH ACUTE
    "o\xf9": "ó",  # LATIN SMALL LETTER O WITH ACUTE
    "O\xd8": "Ò",  # LATIN CAPITAL LETTER O WITH GRAVE
    "o\xf8": "ò",  # LATIN SMALL LETTER O WITH GRAVE
    "O\xdb": "Ỏ",  # LATIN CAPITAL LETTER O WITH HOOK ABOVE
    "o\xfb": "ỏ",  # LATIN SMALL LETTER O WITH HOOK ABOVE
    "O\xd5": "Õ",  # LATIN CAPITAL LETTER O WITH TILDE
    "o\xf5": "õ",  # LATIN SMALL LETTER O WITH TILDE
    "O\xcf": "Ọ",  # LATIN CAPITAL LETTER O WITH DOT BELOW
    "o\xef": "ọ",  # LATIN SMALL LETTER O WITH DOT BELOW
    "O\xc2": "Ô",  # LATIN CAPITAL LETTER O WITH CIRCUMFLEX
    "o\xe2": "ô",  # LATIN SMALL LETTER O WITH CIRCUMFLEX
    "O\xc1": "Ố",  # LATIN CAPITAL LETTER O WITH CIRCUMFLEX AND ACUTE
    "o\xe1": "ố",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND ACUTE
    "O\xc0": "Ồ",  # LATIN CAPITAL LETTER O WITH CIRCUMFLEX AND GRAVE
    "o\xe0": "ồ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND GRAVE
    "O\xc5": "Ổ",  # LATIN CAPITAL LETTER O WITH CIRCUMFLEX AND HOOK ABOVE
    "o\xe5": "ổ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND HOOK ABOVE
    "O\xc3": "Ỗ",  # LATIN CAPITAL LETTER O WITH CIRCUMFLEX AND TILDE
    "o\xe3": "ỗ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND TILDE
    "O\xc4": "Ộ",  # LATIN CAPITAL LETTER O WITH CIRCUMFLEX AND DOT BELOW
    "o\xe4": "ộ",  # LATIN SMALL LETTER O WITH CIRCUMFLEX AND DOT BELOW
    "\xd4": "Ơ",  # LATIN CAPITAL LETTER O WITH HORN
    "\xf4": "ơ",  # LATIN SMALL LETTER O WITH HORN
    "\xd4\xd9": "Ớ",  # LATIN CAPITAL LETTER O WITH HORN AND ACUTE
    "\xf4\xf9": "ớ",  # LATIN SMALL LETTER O WITH HORN AND ACUTE
    "\xd4\xd8": "Ờ",  # LATIN CAPITAL LETTER O WITH HORN AND GRAVE
    "\xf4\xf8": "ờ",  # LATIN SMALL LETTER O WITH HORN AND GRAVE
    "\xd4\xdb": "Ở",  # LATIN CAPITAL LETTER O WITH HORN AND HOOK ABOVE
    "\xf4\xfb": "ở",  # LATIN SMALL LETTER O WITH HORN AND HOOK ABOVE
    "\xd4\xd5": "Ỡ",  # LATIN CAPITAL LETTER O WITH HORN AND TILDE
    "\xf4\xf5": "ỡ",  # LATIN SMALL LETTER O WITH HORN AND TILDE
    "\xd4\xcf": "Ợ",  # LATIN CAPITAL LETTER O WITH HORN AND DOT BELOW
    "\xf4\xef": "ợ",  # LATIN SMALL LETTER O WITH HORN AND DOT BELOW
    "U\xd9": "Ú",  # LATIN CAPITAL LETTER U WITH ACUTE
    "u\xf9": "ú",  # LATIN SMALL LETTER U WITH ACUTE
    "U\xd8": "Ù",  # LATIN CAPITAL LETTER U WITH GRAVE
    "u\xf8": "ù",  # LATIN SMALL LETTER U WITH GRAVE
    "U\xdb": "Ủ",  # LATIN CAPITAL LETTER U WITH HOOK ABOVE
    "u\xfb": "ủ",  # LATIN SMALL LETTER U WITH HOOK ABOVE
    "U\xd5": "Ũ",  # LATIN CAPITAL LETTER U WITH TILDE
    "u\xf5": "ũ",  # LATIN SMALL LETTER U WITH TILDE
    "U\xcf": "Ụ",  # LATIN CAPITAL LETTER U WITH DOT BELOW
    "u\xef": "ụ",  # LATIN SMALL LETTER U WITH DOT BELOW
    "\xd6": "Ư",  # LATIN CAPITAL LETTER U WITH HORN
    "\xf6": "ư",  # LATIN SMALL LETTER U WITH HORN
    "\xd6\xd9": "Ứ",  # LATIN CAPITAL LETTER U WITH HORN AND ACUTE
    "\xf6\xf9": "ứ",  # LATIN SMALL LETTER U WITH HORN AND ACUTE
    "\xd6\xd8": "Ừ",  # LATIN CAPITAL LETTER U WITH HORN AND GRAVE
    "\xf6\xf8": "ừ",  # LATIN SMALL LETTER U WITH HORN AND GRAVE
    "\xd6\xdb": "Ử",  # LATIN CAPITAL LETTER U WITH HORN AND HOOK ABOVE
    "\xf6\xfb": "ử",  # LATIN SMALL LETTER U WITH HORN AND HOOK ABOVE
    "\xd6\xd5": "Ữ",  # LATIN CAPITAL LETTER U WITH HORN AND TILDE
    "\xf6\xf5": "ữ",  # LATIN SMALL LETTER U WITH HORN AND TILDE
    "\xd6\xcf": "Ự",  # LATIN CAPITAL LETTER U WITH HORN AND DOT BELOW
    "\xf6\xef": "ự",  # LATIN SMALL LETTER U WITH HORN AND DOT BELOW
    "Y\xd9": "Ý",  # LATIN CAPITAL LETTER Y WITH ACUTE
    "y\xf9": "ý",  # LATIN SMALL LETTER Y WITH ACUTE
    "Y\xd8": "Ỳ",  # LATIN CAPITAL LETTER Y WITH GRAVE
    "y\xf8": "ỳ",  # LATIN SMALL LETTER Y WITH GRAVE
    "Y\xdb": "Ỷ",  # LATIN CAPITAL LETTER Y WITH HOOK ABOVE
    "y\xfb": "ỷ",  # LATIN SMALL LETTER Y WITH HOOK ABOVE
    "Y\xd5": "Ỹ",  # LATIN CAPITAL LETTER Y WITH TILDE
    "y\xf5": "ỹ",  # LATIN SMALL LETTER Y WITH TILDE
    "\xce": "Ỵ",  # LATIN CAPITAL LETTER Y WITH DOT BELOW
    "\xee": "ỵ",  # LATIN SMALL LETTER Y WITH DOT BELOW
}
