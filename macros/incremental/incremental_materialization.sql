{#- The materialization of the event- and session-grain models: incremental (delete+insert
    keyed by the model's unique_key) on DuckDB and Postgres; a full table on Spark. On
    Spark, delete+insert and merge need Delta or Iceberg tables (this project writes plain
    Parquet tables), and insert_overwrite replaces whole partitions: a person-bucket
    partition column would rewrite every bucket that holds an affected person, that is
    nearly every bucket on a busy run, for the cost of many small files. -#}
{% macro incremental_materialization() -%}
    {{- 'table' if target.type == 'spark' else 'incremental' -}}
{%- endmacro %}
