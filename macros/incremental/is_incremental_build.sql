{#- dbt's is_incremental() for the models of the event_incremental materialization (dbt's
    own answers true for materialized='incremental' only): true when the model is built by
    that materialization (macro is_event_incremental_model), its table exists and the run is
    not a --full-refresh. -#}
{% macro is_incremental_build() -%}
    {%- if not is_event_incremental_model() -%}
        {{ return(false) }}
    {%- endif -%}
    {%- set relation = adapter.get_relation(this.database, this.schema, this.identifier) -%}
    {{ return(relation is not none and relation.type == 'table' and not should_full_refresh()) }}
{%- endmacro %}
