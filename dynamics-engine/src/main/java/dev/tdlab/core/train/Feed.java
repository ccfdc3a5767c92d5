package dev.tdlab.core.train;

import org.nd4j.linalg.api.ndarray.INDArray;

/** The placeholder values of one batch, as the model's graph reads them: inputs "x" and targets "y". */
interface Feed {

    INDArray x();

    INDArray y();
}
