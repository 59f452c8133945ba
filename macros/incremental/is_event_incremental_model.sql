{#- True when the model being compiled is built by the event_incremental materialization;
    false for a unit test, which compiles the model's select without a materialization. -#}
{% macro is_event_incremental_model() -%}
    {{ return(
        execute and this is not none and model.resource_type == 'model'
        and model.config.materialized == 'event_incremental'
    ) }}
{%- endmacro %}
