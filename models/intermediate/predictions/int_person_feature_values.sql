{#- The model inputs of each person snapshot, one row per feature (macro
    prediction_features): ln(1 + x) of every numeric feature (counts, amounts and days are
    skewed: a few persons have hundreds), and a 1 for the one-hot term of each categorical
    feature ('channel_group=Direct'). The models are fit on these values and scored from
    them, so training (Python) and scoring (SQL, every engine) read the same inputs. -#}
{%- set numeric_features = prediction_features() -%}
{%- set segment_features = prediction_segment_features() -%}

with

features as (
    select * from {{ ref('fct_person_features') }}
),

feature_names as (
    {%- for feature in numeric_features %}
        select
            '{{ feature }}' as feature_name,
            {{ 'true' if feature in segment_features else 'false' }} as is_segment_input
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

numeric_values as (
    select
        features.person_feature_id,
        features.person_id,
        features.snapshot_date,
        features.model_sample,
        feature_names.feature_name,
        feature_names.is_segment_input,
        ln(1 + greatest(cast(
            case feature_names.feature_name
                {%- for feature in numeric_features %}
                    when '{{ feature }}' then features.{{ feature }}
                {%- endfor %}
            end
            as {{ type_double() }}
        ), 0)) as model_input
    from features
    cross join feature_names
),

categorical_values as (
    {%- for column in prediction_categorical_features() %}
        select
            person_feature_id,
            person_id,
            snapshot_date,
            model_sample,
            '{{ column }}=' || coalesce({{ column }}, '(none)') as feature_name,
            false as is_segment_input,
            cast(1 as {{ type_double() }}) as model_input
        from features
        {%- if not loop.last %}
            union all
        {%- endif %}
    {%- endfor %}
),

feature_values as (
    select * from numeric_values
    union all
    select * from categorical_values
),

final as (
    select
        person_feature_id,
        person_id,
        snapshot_date,
        model_sample,
        feature_name,
        is_segment_input,
        model_input
    from feature_values
)

select * from final
