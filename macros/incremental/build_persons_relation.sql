{#- The table `<model>__build_persons` (person_id), beside the model: the persons of the
    person bucket the event_incremental materialization is building, which the model's
    select joins (macro affected_person_events). -#}
{% macro build_persons_relation() -%}
    {{ return(event_incremental_relation('build_persons')) }}
{%- endmacro %}
