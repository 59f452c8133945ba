{{ feature_adoption(
    ref('fct_person_days'), ref('int_feature_uses'), ref('feature_catalog'), interval='month'
) }}
