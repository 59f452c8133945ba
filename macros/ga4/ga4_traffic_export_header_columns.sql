{#- Which of `headers` (column names as read, e.g. a CSV file's header) name each column of
    the GA4 export contract (macro ga4_traffic_export_columns): a dict of column name to the
    list of matching headers, in their order; [] for a column no header names. Headers are
    compared lower-cased, with runs of whitespace as one space, trimmed, and without a
    trailing qualifier in parentheses. -#}
{% macro ga4_traffic_export_header_columns(headers) -%}
    {%- set matches = {} -%}
    {%- for column in ga4_traffic_export_columns() -%}
        {%- set accepted = [column.name] -%}
        {%- for header in column.headers -%}
            {%- do accepted.append(header | lower) -%}
        {%- endfor -%}
        {%- set matching = [] -%}
        {%- for header in headers -%}
            {%- set key = modules.re.sub('\\s+', ' ', header | lower) | trim -%}
            {%- if modules.re.sub('\\s*\\([^()]*\\)$', '', key) in accepted -%}
                {%- do matching.append(header) -%}
            {%- endif -%}
        {%- endfor -%}
        {%- do matches.update({column.name: matching}) -%}
    {%- endfor -%}
    {{ return(matches) }}
{%- endmacro %}
