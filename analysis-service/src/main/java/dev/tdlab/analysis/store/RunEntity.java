package dev.tdlab.analysis.store;

import io.quarkus.hibernate.orm.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;

import java.time.OffsetDateTime;

@Entity
@Table(name = "runs")
public class RunEntity extends PanacheEntityBase {
    @Id
    public String id;
    @Column(name = "experiment_id")
    public String experimentId;
    @Column(name = "cell_id")
    public String cellId;
    @Column(name = "cell_json")
    public String cellJson;
    public long seed;
    public String status;
    public int attempt;
    public int rerun;
    public int step;
    @Column(name = "total_steps")
    public int totalSteps;
    @Column(name = "dataset_id")
    public String datasetId;
    @Column(name = "entropy_rate")
    public Double entropyRate;
    @Column(name = "unigram_entropy")
    public Double unigramEntropy;
    @Column(name = "optimal_loss")
    public Double optimalLoss;
    @Column(name = "order_losses_json")
    public String orderLossesJson;
    @Column(name = "stationary_json")
    public String stationaryJson;
    @Column(name = "final_eval_loss")
    public Double finalEvalLoss;
    @Column(name = "final_eval_stderr")
    public Double finalEvalStdErr;
    @Column(name = "final_train_loss")
    public Double finalTrainLoss;
    @Column(name = "seconds_elapsed")
    public Double secondsElapsed;
    @Column(name = "last_train_loss")
    public Double lastTrainLoss;
    @Column(name = "last_eval_loss")
    public Double lastEvalLoss;
    public String verdict;
    @Column(name = "gap_to_optimum")
    public Double gapToOptimum;
    public Double tolerance;
    @Column(name = "convergence_step")
    public Integer convergenceStep;
    @Column(name = "optimal_loss_stderr")
    public Double optimalLossStdErr;
    @Column(name = "gap_low")
    public Double gapLow;
    @Column(name = "gap_high")
    public Double gapHigh;
    @Column(name = "rate_model")
    public String rateModel;
    public Double rate;
    @Column(name = "rate_r2")
    public Double rateR2;
    @Column(name = "steps_near_saddle")
    public Integer stepsNearSaddle;
    @Column(name = "convergence_json")
    public String convergenceJson;
    /** Baselines.bayesError of classification data. */
    @Column(name = "bayes_error")
    public Double bayesError;
    /** verdict/Findings of the run, JSON. */
    @Column(name = "findings_json")
    public String findingsJson;
    public String error;
    @Column(name = "heartbeat_at")
    public OffsetDateTime heartbeatAt;
    @Column(name = "updated_at")
    public OffsetDateTime updatedAt;
}
