{#- ISO 3166-1 alpha-2 code (upper case) of a country as tracker exports write it: the
    English name (GA4 geo.country, Amplitude country: 'Switzerland', 'United States',
    'South Korea', 'Türkiye', matched without regard to case or surrounding spaces; the
    names are CLDR's English territory names with their common variants) or already a
    two-letter code. Null for anything else ('(not set)', '', an unknown name), so an
    unmapped country reads as unknown rather than as a wrong code. -#}
{% macro country_code_from_name(expression) -%}
    {%- set codes = {
        'afghanistan': 'AF', 'albania': 'AL', 'algeria': 'DZ', 'american samoa': 'AS',
        'andorra': 'AD', 'angola': 'AO', 'anguilla': 'AI', 'antarctica': 'AQ',
        'antigua & barbuda': 'AG', 'antigua and barbuda': 'AG', 'argentina': 'AR', 'armenia': 'AM',
        'aruba': 'AW', 'ascension island': 'AC', 'australia': 'AU', 'austria': 'AT',
        'azerbaijan': 'AZ', 'bahamas': 'BS', 'bahrain': 'BH', 'bangladesh': 'BD', 'barbados': 'BB',
        'belarus': 'BY', 'belgium': 'BE', 'belize': 'BZ', 'benin': 'BJ', 'bermuda': 'BM',
        'bhutan': 'BT', 'bolivia': 'BO', 'bosnia & herzegovina': 'BA',
        'bosnia and herzegovina': 'BA', 'botswana': 'BW', 'bouvet island': 'BV', 'brazil': 'BR',
        'british indian ocean territory': 'IO', 'british virgin islands': 'VG', 'brunei': 'BN',
        'bulgaria': 'BG', 'burkina faso': 'BF', 'burma': 'MM', 'burundi': 'BI', 'cambodia': 'KH',
        'cameroon': 'CM', 'canada': 'CA', 'canary islands': 'IC', 'cape verde': 'CV',
        'caribbean netherlands': 'BQ', 'cayman islands': 'KY', 'central african republic': 'CF',
        'ceuta & melilla': 'EA', 'ceuta and melilla': 'EA', 'chad': 'TD', 'chile': 'CL',
        'china': 'CN', 'christmas island': 'CX', 'clipperton island': 'CP',
        'cocos (keeling) islands': 'CC', 'colombia': 'CO', 'comoros': 'KM',
        'congo - brazzaville': 'CG', 'congo - kinshasa': 'CD', 'cook islands': 'CK',
        'costa rica': 'CR', "cote d'ivoire": 'CI', 'croatia': 'HR', 'cuba': 'CU', 'curaçao': 'CW',
        'cyprus': 'CY', 'czech republic': 'CZ', 'czechia': 'CZ', "côte d'ivoire": 'CI',
        'côte d’ivoire': 'CI', 'democratic republic of the congo': 'CD', 'denmark': 'DK',
        'diego garcia': 'DG', 'djibouti': 'DJ', 'dominica': 'DM', 'dominican republic': 'DO',
        'ecuador': 'EC', 'egypt': 'EG', 'el salvador': 'SV', 'equatorial guinea': 'GQ',
        'eritrea': 'ER', 'estonia': 'EE', 'eswatini': 'SZ', 'ethiopia': 'ET',
        'falkland islands': 'FK', 'faroe islands': 'FO', 'fiji': 'FJ', 'finland': 'FI',
        'france': 'FR', 'french guiana': 'GF', 'french polynesia': 'PF',
        'french southern territories': 'TF', 'gabon': 'GA', 'gambia': 'GM', 'georgia': 'GE',
        'germany': 'DE', 'ghana': 'GH', 'gibraltar': 'GI', 'great britain': 'GB', 'greece': 'GR',
        'greenland': 'GL', 'grenada': 'GD', 'guadeloupe': 'GP', 'guam': 'GU', 'guatemala': 'GT',
        'guernsey': 'GG', 'guinea': 'GN', 'guinea-bissau': 'GW', 'guyana': 'GY', 'haiti': 'HT',
        'heard & mcdonald islands': 'HM', 'heard and mcdonald islands': 'HM', 'holy see': 'VA',
        'honduras': 'HN', 'hong kong': 'HK', 'hong kong sar china': 'HK', 'hungary': 'HU',
        'iceland': 'IS', 'india': 'IN', 'indonesia': 'ID', 'iran': 'IR',
        'iran, islamic republic of': 'IR', 'iraq': 'IQ', 'ireland': 'IE', 'isle of man': 'IM',
        'israel': 'IL', 'italy': 'IT', 'ivory coast': 'CI', 'jamaica': 'JM', 'japan': 'JP',
        'jersey': 'JE', 'jordan': 'JO', 'kazakhstan': 'KZ', 'kenya': 'KE', 'kiribati': 'KI',
        'korea, republic of': 'KR', 'kosovo': 'XK', 'kuwait': 'KW', 'kyrgyzstan': 'KG',
        'laos': 'LA', 'latvia': 'LV', 'lebanon': 'LB', 'lesotho': 'LS', 'liberia': 'LR',
        'libya': 'LY', 'liechtenstein': 'LI', 'lithuania': 'LT', 'luxembourg': 'LU', 'macao': 'MO',
        'macao sar china': 'MO', 'macau': 'MO', 'macedonia': 'MK', 'madagascar': 'MG',
        'malawi': 'MW', 'malaysia': 'MY', 'maldives': 'MV', 'mali': 'ML', 'malta': 'MT',
        'marshall islands': 'MH', 'martinique': 'MQ', 'mauritania': 'MR', 'mauritius': 'MU',
        'mayotte': 'YT', 'mexico': 'MX', 'micronesia': 'FM', 'moldova': 'MD', 'monaco': 'MC',
        'mongolia': 'MN', 'montenegro': 'ME', 'montserrat': 'MS', 'morocco': 'MA',
        'mozambique': 'MZ', 'myanmar': 'MM', 'myanmar (burma)': 'MM', 'namibia': 'NA',
        'nauru': 'NR', 'nepal': 'NP', 'netherlands': 'NL', 'new caledonia': 'NC',
        'new zealand': 'NZ', 'nicaragua': 'NI', 'niger': 'NE', 'nigeria': 'NG', 'niue': 'NU',
        'norfolk island': 'NF', 'north korea': 'KP', 'north macedonia': 'MK',
        'northern mariana islands': 'MP', 'norway': 'NO', 'oman': 'OM', 'pakistan': 'PK',
        'palau': 'PW', 'palestine': 'PS', 'palestinian territories': 'PS', 'panama': 'PA',
        'papua new guinea': 'PG', 'paraguay': 'PY', 'peru': 'PE', 'philippines': 'PH',
        'pitcairn islands': 'PN', 'poland': 'PL', 'portugal': 'PT', 'pseudo-accents': 'XA',
        'pseudo-bidi': 'XB', 'puerto rico': 'PR', 'qatar': 'QA', 'republic of korea': 'KR',
        'republic of the congo': 'CG', 'romania': 'RO', 'russia': 'RU', 'russian federation': 'RU',
        'rwanda': 'RW', 'réunion': 'RE', 'saint barthélemy': 'BL', 'saint helena': 'SH',
        'saint kitts and nevis': 'KN', 'saint lucia': 'LC', 'saint martin': 'MF',
        'saint pierre and miquelon': 'PM', 'saint vincent and grenadines': 'VC', 'samoa': 'WS',
        'san marino': 'SM', 'sark': 'CQ', 'saudi arabia': 'SA', 'senegal': 'SN', 'serbia': 'RS',
        'seychelles': 'SC', 'sierra leone': 'SL', 'singapore': 'SG', 'sint maarten': 'SX',
        'slovakia': 'SK', 'slovenia': 'SI', 'solomon islands': 'SB', 'somalia': 'SO',
        'south africa': 'ZA', 'south georgia & south sandwich islands': 'GS',
        'south georgia and south sandwich islands': 'GS', 'south korea': 'KR', 'south sudan': 'SS',
        'spain': 'ES', 'sri lanka': 'LK', 'st. barthélemy': 'BL', 'st. helena': 'SH',
        'st. kitts & nevis': 'KN', 'st. kitts and nevis': 'KN', 'st. lucia': 'LC',
        'st. martin': 'MF', 'st. pierre & miquelon': 'PM', 'st. pierre and miquelon': 'PM',
        'st. vincent & grenadines': 'VC', 'st. vincent and grenadines': 'VC', 'sudan': 'SD',
        'suriname': 'SR', 'svalbard & jan mayen': 'SJ', 'svalbard and jan mayen': 'SJ',
        'swaziland': 'SZ', 'sweden': 'SE', 'switzerland': 'CH', 'syria': 'SY',
        'são tomé & príncipe': 'ST', 'são tomé and príncipe': 'ST', 'taiwan': 'TW',
        'taiwan, province of china': 'TW', 'tajikistan': 'TJ', 'tanzania': 'TZ', 'thailand': 'TH',
        'the netherlands': 'NL', 'timor-leste': 'TL', 'togo': 'TG', 'tokelau': 'TK', 'tonga': 'TO',
        'trinidad & tobago': 'TT', 'trinidad and tobago': 'TT', 'tristan da cunha': 'TA',
        'tunisia': 'TN', 'turkey': 'TR', 'turkmenistan': 'TM', 'turks & caicos islands': 'TC',
        'turks and caicos islands': 'TC', 'tuvalu': 'TV', 'türkiye': 'TR',
        'u.s. outlying islands': 'UM', 'u.s. virgin islands': 'VI', 'uganda': 'UG',
        'ukraine': 'UA', 'united arab emirates': 'AE', 'united kingdom': 'GB',
        'united states': 'US', 'united states of america': 'US', 'uruguay': 'UY',
        'uzbekistan': 'UZ', 'vanuatu': 'VU', 'vatican city': 'VA', 'venezuela': 'VE',
        'viet nam': 'VN', 'vietnam': 'VN', 'wallis & futuna': 'WF', 'wallis and futuna': 'WF',
        'western sahara': 'EH', 'yemen': 'YE', 'zambia': 'ZM', 'zimbabwe': 'ZW',
        'åland islands': 'AX'
    } -%}
    case lower(trim({{ expression }}))
    {%- for name, code in codes | dictsort %}
        when '{{ name | replace("'", "''") }}' then '{{ code }}'
    {%- endfor %}
        else
            case
                when {{ regex_matches('trim(' ~ expression ~ ')', '^[A-Za-z]{2}$') }}
                    then upper(trim({{ expression }}))
            end
    end
{%- endmacro %}
