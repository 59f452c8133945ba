{#- True when the model being built runs in person buckets (never in a unit test, which
    builds no relation). -#}
{% macro is_person_bucketed_build() -%}
    {{ return(var('person_buckets') > 1 and this is not none) }}
{%- endmacro %}
