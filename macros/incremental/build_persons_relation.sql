{#- The table `<model>__build_persons` (person_id, person_bucket), beside the model: the
    persons an incremental or bucketed build writes (macro store_build_persons). -#}
{% macro build_persons_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__build_persons'}, type='table')) }}
{%- endmacro %}
