{#- The table `<model>__build_persons` (person_id), beside the model: the persons of the
    person bucket the event_incremental materialization is building, which the model's
    select joins (macro affected_person_events). -#}
{% macro build_persons_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__build_persons'}, type='table')) }}
{%- endmacro %}
