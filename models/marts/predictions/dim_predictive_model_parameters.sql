{#- The fitted parameters of the predictive models. On DuckDB, the scikit-learn fit of this
    build (int_predictive_models_fitted, a dbt Python model). Other engines have no Python
    model: they read the parameters a DuckDB fit wrote, loaded as the table named by var
    predictive_model_parameters_relation (same columns as int_predictive_models_fitted), and
    score with them in SQL; without it the models have no parameters and the scores are
    null. -#}
{%- if target.type == 'duckdb' %}
    {%- set fitted_relation = ref('int_predictive_models_fitted') %}
{%- else %}
    {%- set fitted_relation = var('predictive_model_parameters_relation') %}
{%- endif %}

with

fitted as (
    {%- if fitted_relation %}
        select
            model_name,
            model_version,
            trained_on_snapshot_date,
            parameter_name,
            feature_name,
            cluster_number,
            parameter_value
        from {{ fitted_relation }}
    {%- else %}
        select
            cast(null as {{ dbt.type_string() }}) as model_name,
            cast(null as {{ dbt.type_string() }}) as model_version,
            cast(null as date) as trained_on_snapshot_date,
            cast(null as {{ dbt.type_string() }}) as parameter_name,
            cast(null as {{ dbt.type_string() }}) as feature_name,
            cast(null as {{ dbt.type_int() }}) as cluster_number,
            cast(null as {{ type_double() }}) as parameter_value
        where 1 = 0
    {%- endif %}
),

final as (
    select
        {{ surrogate_key(['model_name', 'parameter_name', 'feature_name', 'cluster_number']) }}
            as model_parameter_id,
        cast(model_name as {{ dbt.type_string() }}) as model_name,
        cast(model_version as {{ dbt.type_string() }}) as model_version,
        cast(trained_on_snapshot_date as date) as trained_on_snapshot_date,
        cast(parameter_name as {{ dbt.type_string() }}) as parameter_name,
        cast(feature_name as {{ dbt.type_string() }}) as feature_name,
        cast(cluster_number as {{ dbt.type_int() }}) as cluster_number,
        cast(parameter_value as {{ type_double() }}) as parameter_value
    from fitted
)

select * from final
