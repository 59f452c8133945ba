{#- A model's config partition_by where this project partitions tables: on Spark, whose
    incremental runs rewrite only the partitions they touch (macro
    event_incremental_replace_rows); none elsewhere (DuckDB and Postgres delete rows in
    place, and dbt-duckdb partitions only DuckLake tables). -#}
{% macro partition_columns(columns) -%}
    {{ return(adapter.dispatch('partition_columns', 'behavioral_warehouse')(columns)) }}
{%- endmacro %}

{% macro default__partition_columns(columns) -%}
    {{ return(none) }}
{%- endmacro %}

{% macro spark__partition_columns(columns) -%}
    {{ return(columns) }}
{%- endmacro %}
