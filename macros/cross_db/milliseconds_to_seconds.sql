{#- An integer number of milliseconds as seconds, decimal(18, 3): the same type and value
    on every engine (plain division gives a double on DuckDB, numeric of varying scale on
    Postgres, truncation for integers on Postgres). -#}
{% macro milliseconds_to_seconds(milliseconds_expression) -%}
    cast(({{ milliseconds_expression }}) / 1000.0 as decimal(18, 3))
{%- endmacro %}
