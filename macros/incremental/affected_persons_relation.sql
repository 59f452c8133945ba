{#- The table `<model>__affected_persons`, beside the model: the persons an incremental run
    rebuilds (macro store_affected_persons). -#}
{% macro affected_persons_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__affected_persons'}, type='table')) }}
{%- endmacro %}
