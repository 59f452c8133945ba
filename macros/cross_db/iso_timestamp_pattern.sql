{#- The accepted timestamp text as a regular expression (RE2, Postgres and Java syntax alike):
    `YYYY-MM-DD[( |T)HH:MM[:SS[.fraction]]]` and an optional zone (`Z`, `UTC`, `GMT`, an
    offset, an IANA zone name), anchored, surrounding spaces allowed. with_zone=false: the local part alone,
    unanchored; zone_only=true: the zone alone. -#}
{% macro iso_timestamp_pattern(with_zone=true, zone_only=false) -%}
    {%- set local_part = '[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ][0-9]{2}:[0-9]{2}(?::[0-9]{2}(?:[.][0-9]{1,9})?)?)?' -%}
    {#- an IANA name has a slash (Europe/Berlin, Etc/GMT+5); an abbreviation (CET, EST, IST)
        is ambiguous, and Postgres reads it as a fixed offset where DuckDB reads the zone -#}
    {%- set zone = '[Zz]|UTC|GMT|[+-][0-9]{2}(?::?[0-9]{2})?|[A-Za-z]+/[A-Za-z0-9_/+-]+' -%}
    {%- if zone_only -%}
        {{ return(zone) }}
    {%- elif not with_zone -%}
        {{ return(local_part) }}
    {%- else -%}
        {{ return('^ *' ~ local_part ~ ' *(?:' ~ zone ~ ')? *$') }}
    {%- endif -%}
{%- endmacro %}
