{#- How many person buckets the model being built runs in (materialization
    event_incremental): on a full build its config person_buckets (default 1); on an
    incremental run, or for a model the materialization does not build incrementally, 1. -#}
{% macro person_buckets() -%}
    {%- if not is_event_incremental_model() or is_incremental_build() -%}
        {{ return(1) }}
    {%- endif -%}
    {{ return(config.get('person_buckets') or 1) }}
{%- endmacro %}
