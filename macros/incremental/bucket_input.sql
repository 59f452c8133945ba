{#- The relation a model of the event_incremental materialization reads its input
    `relation` (its affected_persons_from) from: during a build in person buckets (macro
    person_buckets) of a view, the copy the materialization stored once for all the buckets
    (bucket_input_relation()), as each bucket would compute the view again over every event;
    otherwise `relation` itself. -#}
{% macro bucket_input(relation) -%}
    {%- if person_buckets() > 1 -%}
        {%- set stored = adapter.get_relation(relation.database, relation.schema, relation.identifier) -%}
        {%- if stored is not none and stored.is_view -%}
            {{ return(bucket_input_relation()) }}
        {%- endif -%}
    {%- endif -%}
    {{ return(relation) }}
{%- endmacro %}
