{#- How many person buckets the model being built runs in (materialization
    event_incremental), full and incremental runs alike: its config person_buckets (default
    1); 1 for a model the materialization does not build incrementally. -#}
{% macro person_buckets() -%}
    {%- if not is_event_incremental_model() -%}
        {{ return(1) }}
    {%- endif -%}
    {{ return(config.get('person_buckets') or 1) }}
{%- endmacro %}
