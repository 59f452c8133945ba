{#- A hash of a row's values, as text: equal for rows with equal values (nulls included, in
    place: (a, null) and (null, a) differ), so identical raw rows can be told apart by
    their copy number and a re-read row keeps its key. Default: md5 of the values joined
    (macro surrogate_key). DuckDB: its native 64-bit hash of the values, about ten times as
    fast as md5 over 23 text columns; a collision of two different rows (about 3 in 10,000
    at 100M rows) only numbers them as copies, their keys stay distinct. -#}
{% macro row_content_hash(columns) -%}
    {{ return(adapter.dispatch('row_content_hash', 'behavioral_warehouse')(columns)) }}
{%- endmacro %}

{% macro default__row_content_hash(columns) -%}
    {{ surrogate_key(columns) }}
{%- endmacro %}

{% macro duckdb__row_content_hash(columns) -%}
    cast(hash({{ columns | join(', ') }}) as {{ dbt.type_string() }})
{%- endmacro %}
