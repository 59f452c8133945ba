{#- The table `<model>__person_bucket_rows`, beside the model: the rows of buckets 1 onwards
    of a bucketed incremental run, built before the run changes the model. -#}
{% macro person_bucket_rows_relation() -%}
    {{ return(this.incorporate(path={'identifier': this.identifier ~ '__person_bucket_rows'}, type='table')) }}
{%- endmacro %}
