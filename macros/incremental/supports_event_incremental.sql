{#- Whether the event_incremental materialization builds incrementally on this engine:
    not on Spark, whose plain Parquet tables it rebuilds on every run. -#}
{% macro supports_event_incremental() -%}
    {{ return(adapter.dispatch('supports_event_incremental', 'behavioral_warehouse')()) }}
{%- endmacro %}

{% macro default__supports_event_incremental() -%}
    {{ return(true) }}
{%- endmacro %}

{% macro spark__supports_event_incremental() -%}
    {{ return(false) }}
{%- endmacro %}
